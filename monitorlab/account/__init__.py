"""The offline AWS account: the moto sandbox and its guard against real AWS (:mod:`.sandbox`),
simulated time (:mod:`.clock`), batched CloudWatch publishing (:mod:`.cloudwatch`), alarm
evaluation and notifications (:mod:`.alarms`). Imports nothing above it."""
