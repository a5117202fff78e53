"""MonitorLab: the engine behind an offline course on monitoring ML systems on AWS.

Every AWS call goes to moto (see :mod:`monitorlab.sandbox`); what moto only stores, the engine
does itself, visibly: data capture (:mod:`monitorlab.endpoint`), reading captures
(:mod:`monitorlab.capture`), simulated time (:mod:`monitorlab.clock`).
"""

__version__ = "0.1.0"
