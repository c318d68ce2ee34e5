-- Host notices: a send records that it is in flight before the provider is called (status 'sending'), so
-- a crash between the provider accepting and the row being marked sent is known afterwards.
-- sends: provider calls begun; doubtful: calls whose outcome was never learnt (crash, read timeout).

ALTER TABLE host_notices ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
ALTER TABLE host_notices ADD COLUMN doubtful INTEGER NOT NULL DEFAULT 0;
