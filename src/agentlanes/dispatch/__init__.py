"""Hand the tasks of a routing plan to their agents through each agent's GitHub trigger.

``tasks`` reads the plan, ``remote`` reads GitHub, ``checks`` decides what must
not be dispatched, ``capacity`` counts the work in flight, ``triggers`` applies
a trigger, ``audit`` keeps the log and ``runner`` runs the whole.
"""
