#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ChimeCognitoAuthStack, STACK_NAME } from './chime-cognito-auth-stack';
import { stackPropsFromContext } from './context';
import { addNagChecks } from './nag';

const app = new App();
new ChimeCognitoAuthStack(app, STACK_NAME, stackPropsFromContext(app));
addNagChecks(app);
