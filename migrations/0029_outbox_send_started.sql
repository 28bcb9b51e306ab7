-- When a send of an outbox row was last handed to its messenger. A row claimed by a worker but not
-- yet handed over can still be withdrawn by its writer (a reminder whose person answered meanwhile);
-- the worker looks once more right before the messenger call (see outbox-delivery.ts).
ALTER TABLE "outbox" ADD COLUMN "send_started_at" timestamp with time zone;
