-- Survey answers are pushed to the central server (topic survey.response, kiosk.app.survey) since this
-- version; answers recorded before it are queued once here, by id only (the worker reads the answers when it
-- sends them). The idempotency key is the one SurveyService uses, so nothing is ever queued twice.

INSERT OR IGNORE INTO outbox(idempotency_key, topic, aggregate_id, payload, next_attempt_at, created_at)
SELECT 'survey:' || id, 'survey.response', id, json_object('response_id', id),
       COALESCE(created_at, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')), COALESCE(created_at, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))
FROM survey_responses;
