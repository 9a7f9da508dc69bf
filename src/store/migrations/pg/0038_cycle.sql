-- 0038: a cheaper lease+submit cycle (issue 20).
-- Each submission's categorical answer, as quality's agreement compares it
-- (quality/contributors.c: fc_gold_answer_key of the result), written once
-- at submit; '' when the answer has none, NULL when not worked out (rows
-- from before this column, gold and test tasks). The task's agreement then
-- reads its rows' keys instead of parsing every answer again at each submit.
ALTER TABLE submissions ADD COLUMN answer_key TEXT;
