-- The provider of an order's payment, beside its id: set by `OrderStore::attach_payment` without rewriting the
-- order's document.
ALTER TABLE orders ADD COLUMN payment_provider TEXT;
