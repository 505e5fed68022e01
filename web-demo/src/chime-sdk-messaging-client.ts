/**
 * What amazon-chime-sdk-js's DefaultMessagingSession takes from `@aws-sdk/client-chime-sdk-messaging`
 * (one command). Its CommonJS `require()` of the whole client would otherwise make the bundler
 * keep all 52 commands and their schemas; vite.config.ts points that one require here, so the
 * app's own ESM imports stay tree-shaken.
 */
export { GetMessagingSessionEndpointCommand } from '@aws-sdk/client-chime-sdk-messaging';
