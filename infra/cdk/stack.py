"""MahnwerkStack: tables, queues, buckets, secrets, the Chalice app and the dunning state machine of one stage."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name

from chalicelib.asl import PROJECT_ROOT, render_asl
from chalicelib.resources import (
    API_THROTTLING,
    ASL_FILE,
    QUEUES,
    STREAM_CONSUMERS,
    TABLES,
    WORKFLOW_FUNCTIONS,
    Names,
    Queue,
    asl_substitutions,
)
from infra.cdk.alarms import OperatorAlarms

if TYPE_CHECKING:
    from constructs import Construct

    from chalicelib.resources import Table

DEPLOYED_STAGES = ("dev", "prod")
CHALICE_CONFIG = PROJECT_ROOT / ".chalice" / "config.json"

# Stage-specific values that are not resources; override with `-c key=value`. The pay page is served by the API,
# but PUBLIC_BASE_URL cannot default to the API's URL: the API handler would then depend on its own REST API.
CONTEXT_DEFAULTS: dict[str, str] = {
    "senderEmail": "dunning@mahnwerk.example",
    "smsOriginationIdentity": "Mahnwerk",
    "agencyUrl": "https://agency.mahnwerk.example/v1/claims",
    "publicBaseUrl": "https://pay.mahnwerk.example",
}


class MahnwerkStack(cdk.Stack):
    """One deployed stage, built from chalicelib.resources so that infra/local provisions the same resources."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str, **kwargs: Any) -> None:
        if stage not in DEPLOYED_STAGES:
            raise ValueError(f"stage must be one of {DEPLOYED_STAGES}, not {stage!r}")
        # Chalice packages the app by importing it in this process, and app.py chooses its routes by this variable.
        if os.environ.get("MAHNWERK_STAGE", stage) != stage:
            raise RuntimeError(f"MAHNWERK_STAGE is {os.environ['MAHNWERK_STAGE']!r} while synthesizing stage {stage!r}")
        super().__init__(scope, construct_id, **kwargs)
        self.stage = stage
        self.names = Names(stage, self.region, self.account)
        self.retain = stage == "prod"
        self.removal_policy = cdk.RemovalPolicy.RETAIN if self.retain else cdk.RemovalPolicy.DESTROY
        self.settings = self._context_settings()
        email = self.node.try_get_context("alarmEmail")
        self.alarms = OperatorAlarms(self, "Alarms", names=self.names, email=str(email) if email else None)

        self.tables = {table.key: self._table(table) for table in TABLES}
        self.letters = self._letters_bucket()
        self.queues = {queue.key: self._queue(queue) for queue in QUEUES}
        self.statements = self._statements_bucket()
        self.agency_secret = self._secret("AgencySecret", "HMAC key that signs hand-overs to the collection agency")
        self.pay_token_secret = self._secret("PayTokenSecret", "key that signs the debtors' pay-page tokens")
        # A string ARN from the fixed name, not state_machine_arn: the machine refers to the functions, so the
        # functions may not refer back to it.
        self.state_machine_arn = self.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=self.names.state_machine,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        self.chalice = Chalice(self, "ChaliceApp", source_dir=str(PROJECT_ROOT), stage_config=self._chalice_config())
        self._grant_app_role()
        self._throttle_api()
        self.state_machine = self._state_machine()
        self._alarm_on_failed_executions()
        self._event_sources()

        cdk.CfnOutput(self, "StateMachineArn", value=self.state_machine.state_machine_arn)
        cdk.CfnOutput(self, "LettersBucketName", value=self.letters.bucket_name)
        cdk.CfnOutput(self, "StatementsBucketName", value=self.statements.bucket_name)
        cdk.CfnOutput(self, "AgencySecretArn", value=self.agency_secret.secret_arn)
        cdk.CfnOutput(self, "AlarmTopicArn", value=self.alarms.topic.topic_arn)
        # The API's URL is Chalice's own output "EndpointURL".

    def _context_settings(self) -> dict[str, str]:
        settings = {}
        for key, default in CONTEXT_DEFAULTS.items():
            value = self.node.try_get_context(key)
            if value is None:
                value = default
                cdk.Annotations.of(self).add_warning_v2(
                    f"mahnwerk:default-{key}", f"context {key} not given, using the placeholder {default!r}"
                )
            settings[key] = str(value)
        return settings

    def _table(self, table: Table) -> dynamodb.Table:
        resource = dynamodb.Table(
            self,
            f"{to_cfn_resource_name(table.key)}Table",
            table_name=self.names.table(table.key),
            partition_key=_string_attribute(table.hash_key),
            sort_key=_string_attribute(table.range_key) if table.range_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=table.ttl_attribute,
            stream=dynamodb.StreamViewType.NEW_IMAGE if table.stream else None,
            deletion_protection=self.retain,
            removal_policy=self.removal_policy,
        )
        for index in table.indexes:
            resource.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string_attribute(index.hash_key),
                sort_key=_string_attribute(index.range_key) if index.range_key else None,
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return resource

    def _letters_bucket(self) -> s3.Bucket:
        return s3.Bucket(
            self,
            "Letters",
            bucket_name=self.names.letters_bucket,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            removal_policy=self.removal_policy,
            # Letters are records in prod; a dev stack should be removable with its letters.
            auto_delete_objects=not self.retain,
        )

    def _queue(self, queue: Queue) -> tuple[sqs.Queue, sqs.Queue]:
        """The queue, its dead-letter queue and an alarm as soon as anything is parked there."""
        name = to_cfn_resource_name(queue.key)
        fifo = True if queue.fifo else None
        dead = sqs.Queue(
            self,
            f"{name}DeadLetters",
            queue_name=self.names.dead_letter_queue(queue.key),
            fifo=fifo,
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=self.removal_policy,
        )
        live = sqs.Queue(
            self,
            f"{name}Queue",
            queue_name=self.names.queue(queue.key),
            fifo=fifo,
            visibility_timeout=cdk.Duration.seconds(queue.visibility_timeout),
            # A FIFO queue's messages wait out their back-off in the queue itself: they are kept as long as SQS allows.
            retention_period=cdk.Duration.days(14 if queue.fifo else 4),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=dead, max_receive_count=queue.max_receive_count),
            removal_policy=self.removal_policy,
        )
        self.alarms.above_zero(
            f"{name}DeadLettersAlarm",
            f"{queue.key}-dlq-not-empty",
            f"messages of {self.names.queue(queue.key)} were parked after their last attempt",
            dead.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(5)),
        )
        return live, dead

    def _statements_bucket(self) -> s3.Bucket:
        """Merchants upload statements under `<tenant_id>/`; each new object is announced on the statements queue."""
        bucket = s3.Bucket(
            self,
            "Statements",
            bucket_name=self.names.statements_bucket,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # Statements hold debtors' names and accounts: kept long enough to re-import, not for ever.
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))],
            removal_policy=self.removal_policy,
            auto_delete_objects=not self.retain,
        )
        live, _dead = self.queues["statements"]
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(live))
        return bucket

    def _event_sources(self) -> None:
        """What feeds the functions that no state machine calls: the queues and the events table's stream."""
        for queue in QUEUES:
            live, _dead = self.queues[queue.key]
            lambda_.EventSourceMapping(
                self,
                f"{to_cfn_resource_name(queue.key)}Consumer",
                target=self._function(queue.consumer),
                event_source_arn=live.queue_arn,
                batch_size=queue.batch_size,
                report_batch_item_failures=True,
            )
        for stream in STREAM_CONSUMERS:
            lambda_.EventSourceMapping(
                self,
                f"{to_cfn_resource_name(stream.table)}Stream{to_cfn_resource_name(stream.consumer)}",
                target=self._function(stream.consumer),
                event_source_arn=self.tables[stream.table].table_stream_arn,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=100,
                # A poison record is split out and retried alone instead of blocking its shard for a day.
                bisect_batch_on_error=True,
                retry_attempts=10,
                report_batch_item_failures=True,
            )

    def _function(self, function: str) -> lambda_.IFunction:
        """A Chalice function as a CDK function; an import, because Chalice's own constructs cannot be granted to."""
        construct_id = f"Imported{to_cfn_resource_name(function)}"
        existing = self.node.try_find_child(construct_id)
        if existing is not None:
            return existing  # type: ignore[return-value]
        return lambda_.Function.from_function_attributes(
            self, construct_id, function_arn=self._function_arn(function), same_environment=True
        )

    def _secret(self, construct_id: str, description: str) -> secretsmanager.Secret:
        # Unnamed on purpose: a deleted named secret blocks its name for the recovery window (dev redeploys).
        return secretsmanager.Secret(
            self,
            construct_id,
            description=f"{self.names.prefix}: {description}",
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=64),
            removal_policy=self.removal_policy,
        )

    def _chalice_config(self) -> dict[str, Any]:
        """The stage's block of .chalice/config.json plus what only the deployment knows.

        chalice.cdk packages the app with the stack's name as Chalice stage, so config.json's stage block would not
        apply by itself.
        """
        config = json.loads(CHALICE_CONFIG.read_text())
        stage_config: dict[str, Any] = {"xray": True, "lambda_memory_size": 512, **config["stages"][self.stage]}
        # A queue hides a message for longer than its consumer may run, or the message is delivered twice.
        stage_config["lambda_functions"] = {
            queue.consumer: {"lambda_timeout": min(900, queue.visibility_timeout // 2)} for queue in QUEUES
        }
        stage_config["environment_variables"] = {
            **stage_config.get("environment_variables", {}),
            "MAHNWERK_STAGE": self.stage,
            "MAHNWERK_ACCOUNT": self.account,
            "STATE_MACHINE_ARN": self.state_machine_arn,
            "LETTERS_BUCKET": self.letters.bucket_name,
            "SENDER_EMAIL": self.settings["senderEmail"],
            "SMS_ORIGINATION_IDENTITY": self.settings["smsOriginationIdentity"],
            "AGENCY_URL": self.settings["agencyUrl"],
            "PUBLIC_BASE_URL": self.settings["publicBaseUrl"],
            # References only: the Lambdas read the values at cold start, the template never holds them.
            "AGENCY_SECRET_ARN": self.agency_secret.secret_arn,
            "PAY_TOKEN_SECRET_ARN": self.pay_token_secret.secret_arn,
        }
        return stage_config

    def _grant_app_role(self) -> None:
        role = self.chalice.get_role("DefaultRole")
        for table in self.tables.values():
            table.grant_read_write_data(role)
        self.letters.grant_put(role)
        self.statements.grant_read(role)
        for live, dead in self.queues.values():
            live.grant_consume_messages(role)  # ChangeMessageVisibility included: the agency queue's back-off
            live.grant_send_messages(role)  # back-off re-enqueues with a delay
            dead.grant_send_messages(role)  # the last failed attempt parks the message here
        for table_key in {stream.table for stream in STREAM_CONSUMERS}:
            self.tables[table_key].grant_stream_read(role)
        self.agency_secret.grant_read(role)
        self.pay_token_secret.grant_read(role)
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[self.state_machine_arn])
        )
        # SendTask* cannot be scoped to a state machine (IAM sees no resource for a token from a service
        # integration); the task token itself is the capability.
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:SendTaskSuccess", "states:SendTaskFailure"], resources=["*"])
        )
        # Any identity, because SES in sandbox mode also authorizes against each recipient's identity; the
        # condition keeps the sender to the configured address.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail"],
                resources=[self.format_arn(service="ses", resource="identity", resource_name="*")],
                conditions={"StringEquals": {"ses:FromAddress": self.settings["senderEmail"]}},
            )
        )
        # The origination identity may be a phone number, sender id or pool, chosen per stage by context.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["sms-voice:SendTextMessage", "sms-voice:SendVoiceMessage"],
                resources=[self.format_arn(service="sms-voice", resource="*")],
            )
        )

    def _throttle_api(self) -> None:
        """Rate and burst on every method of the REST API's stage; Chalice has no setting for it, so CDK overrides.

        Override with -c apiRateLimit=… -c apiBurstLimit=….
        """
        rate = self.node.try_get_context("apiRateLimit") or API_THROTTLING.rate
        burst = self.node.try_get_context("apiBurstLimit") or API_THROTTLING.burst
        throttling: dict[str, Any] = {"ResourcePath": "/*", "HttpMethod": "*"}
        throttling |= {"ThrottlingRateLimit": float(rate), "ThrottlingBurstLimit": int(burst)}
        self.chalice.get_resource("RestAPI").add_property_override("MethodSettings", [throttling])

    def _alarm_on_failed_executions(self) -> None:
        """A claim's execution that fails or times out (a hand-over the agency refused, a task that kept failing)."""
        period = cdk.Duration.minutes(5)
        self.alarms.above_zero(
            "DunningFailedAlarm",
            "dunning-executions-failed",
            f"executions of {self.names.state_machine} failed: see the claim's timeline and the execution history",
            self.state_machine.metric_failed(period=period, statistic="Sum"),
        )
        self.alarms.above_zero(
            "DunningTimedOutAlarm",
            "dunning-executions-timed-out",
            f"executions of {self.names.state_machine} timed out",
            self.state_machine.metric_timed_out(period=period, statistic="Sum"),
        )

    def _function_arn(self, function: str) -> str:
        return str(self.chalice.get_resource(to_cfn_resource_name(function)).get_att("Arn").to_string())

    def _state_machine(self) -> sfn.StateMachine:
        # render_asl applies asl_substitutions here as in infra/local, and fails on a token without a value. The
        # values are CDK tokens: opaque strings that synthesis turns into Fn::GetAtt inside an Fn::Join, so the
        # template holds no ${…} for CloudFormation to resolve (definition_substitutions would skip that check).
        definition = render_asl(ASL_FILE, asl_substitutions(self._function_arn))
        log_group = logs.LogGroup(
            self,
            "DunningLogs",
            # The vendedlogs prefix keeps CloudWatch's resource policy from growing with every log group.
            log_group_name=f"/aws/vendedlogs/states/{self.names.state_machine}",
            retention=logs.RetentionDays.ONE_YEAR if self.retain else logs.RetentionDays.ONE_MONTH,
            removal_policy=self.removal_policy,
        )
        machine = sfn.StateMachine(
            self,
            "Dunning",
            state_machine_name=self.names.state_machine,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(definition),
            # Inputs and outputs stay in the execution history; the logs get the transitions and errors.
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        for function in WORKFLOW_FUNCTIONS.values():
            # Chalice's get_function(...).grant_invoke raises CannotModifyLambdaPermission; an import does not.
            imported = lambda_.Function.from_function_attributes(
                self,
                f"Invoke{to_cfn_resource_name(function)}",
                function_arn=self._function_arn(function),
                same_environment=True,
            )
            imported.grant_invoke(machine)
        return machine


def _string_attribute(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)
