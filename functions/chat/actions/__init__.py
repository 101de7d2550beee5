"""The room's actions: each one applies a client frame, a use case between the handler that
parsed it and the dal/adapters it needs, with the rules in logic/ (pure Python).

Their effects reach the room through the event log (its stream feeds the fan-out); what they
return goes to the sender alone (an ack, the snapshot)."""
