-- Pushes whose duplicate is harmless (re-verification prompts) are sent again when the outcome of
-- a send is unknown, instead of being recorded 'uncertain' and never sent (see outbox-delivery.ts).
ALTER TABLE "outbox" ADD COLUMN "at_least_once" boolean DEFAULT false NOT NULL;
