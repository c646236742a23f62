"""The operators' alarms: one SNS topic that every alarm of the stack notifies when it fires and when it clears."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

if TYPE_CHECKING:
    from chalicelib.resources import Names


class OperatorAlarms(Construct):
    """The topic, an optional email subscription (`-c alarmEmail=ops@example.com`), and the alarms that notify it.

    Every alarm is made here, so none can be left without an action: an alarm nobody hears is no alarm.
    """

    def __init__(self, scope: Construct, construct_id: str, *, names: Names, email: str | None) -> None:
        super().__init__(scope, construct_id)
        self.names = names
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=f"{names.prefix}-alarms",
            display_name=f"Mahnwerk {names.stage} alarms",
            enforce_ssl=True,
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        else:
            cdk.Annotations.of(self).add_warning_v2(
                "mahnwerk:no-alarm-email",
                f"context alarmEmail not given: alarms go to the topic {names.prefix}-alarms, which has no subscriber",
            )
        self._action = cloudwatch_actions.SnsAction(self.topic)

    def above_zero(
        self, construct_id: str, name: str, description: str, metric: cloudwatch.IMetric
    ) -> cloudwatch.Alarm:
        """Fires as soon as the metric counts anything in a five-minute period; clears when it counts nothing again."""
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=f"{self.names.prefix}-{name}",
            alarm_description=description,
            metric=metric,
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        return alarm
