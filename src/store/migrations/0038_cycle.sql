-- 0038: a cheaper lease+submit cycle (issue 20).
-- Each submission's categorical answer, as quality's agreement compares it
-- (quality/contributors.c: fc_gold_answer_key of the result), written once
-- at submit; '' when the answer has none, NULL when not worked out (rows
-- from before this column, gold and test tasks). The task's agreement then
-- reads its rows' keys instead of parsing every answer again at each submit.
ALTER TABLE submissions ADD COLUMN answer_key TEXT;

-- One b-tree fewer for every submission: submissions_user_task (0021)
-- served only the data manager's "tasks this contributor answered" filter,
-- which now probes each walked task's few submissions (submissions_task).
-- submissions_user (user_id, id) stays: the contributor's history pages by
-- id and privacy's export reads in id order; submissions_user_time stays
-- for the daily limit's range on created_at.
DROP INDEX submissions_user_task;
