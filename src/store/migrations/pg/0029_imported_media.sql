-- 0029: media files imported by a project's owner (a zip or tar of media,
-- one task per file) belong to no assignment: media.assignment_id may be NULL.
ALTER TABLE media ALTER COLUMN assignment_id DROP NOT NULL;
