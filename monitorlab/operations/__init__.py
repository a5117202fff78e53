"""Operations and cost (module 09): the instance capacity model behind latency and utilisation
(:mod:`.capacity`), endpoint autoscaling configured on moto and executed by the engine
(:mod:`.scaling`), the inference options and their limits (:mod:`.options`), and the cost model
with its shipped price table, Cost Explorer seeding and budget alerts (:mod:`.cost`). Builds on
:mod:`monitorlab.account`; imports nothing from :mod:`monitorlab.security`."""
