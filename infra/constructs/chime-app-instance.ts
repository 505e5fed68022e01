import { type Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import { CfnAppInstance } from 'aws-cdk-lib/aws-chime';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeSdkCallProvider } from '../sdk-call-provider';

export interface ChimeAppInstanceProps {
  /**
   * Name of the AppInstance (1-256 characters).
   * @default - a name derived from the construct path
   */
  readonly appInstanceName?: string;

  /**
   * Metadata stored on the AppInstance (at most 1024 characters).
   * @default - none
   */
  readonly metadata?: string;

  /**
   * What happens to the AppInstance, and with it every user, channel and message, when it leaves
   * the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long Chime keeps channel messages (whole days, 1 to 5475). Set with
   * `PutAppInstanceRetentionSettings`, which CloudFormation has no property for.
   * @default - messages are kept until deleted
   */
  readonly channelRetention?: Duration;
}

/** An Amazon Chime SDK AppInstance: the container of all users, channels and messages. */
export class ChimeAppInstance extends Construct {
  /** @attribute */
  public readonly appInstanceArn: string;
  public readonly resource: CfnAppInstance;

  constructor(scope: Construct, id: string, props: ChimeAppInstanceProps = {}) {
    super(scope, id);
    const name = props.appInstanceName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    if (!Token.isUnresolved(name) && (name.length < 1 || name.length > 256 || !/\S/.test(name))) {
      throw new Error(`appInstanceName must be 1-256 characters and not blank, got '${name}'`);
    }
    if (props.metadata !== undefined && props.metadata.length > 1024) {
      throw new Error(`metadata must be at most 1024 characters, got ${props.metadata.length}`);
    }

    this.resource = new CfnAppInstance(this, 'Resource', {
      name,
      ...(props.metadata !== undefined && { metadata: props.metadata }),
    });
    this.resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.appInstanceArn = this.resource.attrAppInstanceArn;

    if (props.channelRetention) this.setChannelRetention(props.channelRetention);
  }

  private setChannelRetention(retention: Duration): void {
    const days = retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1 || days > 5475) {
      throw new Error(`channelRetention must be whole days from 1 to 5475, got ${days}`);
    }
    const call: cr.AwsSdkCall = {
      service: 'ChimeSDKIdentity',
      action: 'PutAppInstanceRetentionSettings',
      parameters: {
        AppInstanceArn: this.appInstanceArn,
        AppInstanceRetentionSettings: {
          ChannelRetentionSettings: { RetentionDays: days },
        },
      },
      physicalResourceId: cr.PhysicalResourceId.of(`${this.node.addr}-retention`),
    };
    const retentionResource = new cr.AwsCustomResource(this, 'ChannelRetention', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['chime:PutAppInstanceRetentionSettings'],
          resources: [this.appInstanceArn],
        }),
      ]),
    });
    acknowledgeSdkCallProvider(retentionResource);
  }
}
