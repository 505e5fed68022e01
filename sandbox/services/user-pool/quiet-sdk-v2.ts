// cognito-local loads AWS SDK v2, which prints an end-of-support notice on import. The sandbox
// never calls AWS through it; silence the notice. Imported before cognito-local.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
