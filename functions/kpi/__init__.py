"""KPI domain: the processor of the event log's DynamoDB stream, the KPI read model and reports
(attention, conversion, engagement, unique viewers, peak concurrency, carts, replay views).

Built on the event vocabulary in functions/common/events.py and the KpiModel table; its
handlers, logic and adapters arrive with the KPI issue."""
