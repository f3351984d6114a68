"""The steps of order ingestion (``customers.services.orders.orders_ingest`` runs them in order):

- ``parties``: the customers and drivers of the pushed orders, found or created;
- ``changes``: what a push may change on an order it already has (status forward only, a completed
  order's fee and times frozen, a completed order cancelled within the window);
- ``effects``: the trailing writes (ratings, platform links, usual places, order dates, events);
- ``log``: today's ingestion counts and the last rejected payloads, masked.
"""
