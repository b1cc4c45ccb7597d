"""Pupils' data and the AVG: the inventory of what Koers stores, the audit trail of
who read or changed it, retention and purging, and the rights of pupils and parents."""
