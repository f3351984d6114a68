# The agent's admin: customers, places, contact log, orders, drivers, governance records.
