#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChimeCognitoAuthStack } from './chime-cognito-auth-stack';
import { stackPropsFromContext } from './context';

const app = new App();
new ChimeCognitoAuthStack(app, 'ChimeCognitoAuth', stackPropsFromContext(app));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
