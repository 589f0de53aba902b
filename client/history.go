package client

import (
	"context"
	"fmt"
)

// versionAt returns revision rev from a verified history.
func versionAt(versions []Version, rev uint64) (Version, error) {
	if rev == 0 || rev > uint64(len(versions)) {
		return Version{}, fmt.Errorf("the item has revisions 1 to %d; there is no revision %d: %w", len(versions), rev, ErrNotFound)
	}
	return versions[rev-1], nil
}

// Rollback writes the content of revision rev as a new revision. Nothing
// is overwritten: the rollback is itself a revision in the history.
func (s *Session) Rollback(ctx context.Context, it *Item, rev uint64) (*Item, error) {
	versions, err := s.History(ctx, it)
	if err != nil {
		return nil, err
	}
	v, err := versionAt(versions, rev)
	if err != nil {
		return nil, err
	}
	c := v.Content.Clone()
	return s.updateItem(ctx, it, c, &RevisionChange{Op: ChangeRollback, Revision: rev})
}

// RestoreField copies one field's value from revision rev into a new
// revision, leaving every other field as it is now. A field absent at rev
// is removed.
func (s *Session) RestoreField(ctx context.Context, it *Item, field string, rev uint64) (*Item, error) {
	versions, err := s.History(ctx, it)
	if err != nil {
		return nil, err
	}
	v, err := versionAt(versions, rev)
	if err != nil {
		return nil, err
	}
	old, had := v.Content.FieldValue(field)
	if _, has := it.Content.FieldValue(field); !had && !has {
		return nil, fmt.Errorf("field %q exists neither in revision %d nor now: %w", sanitize(field, 80), rev, ErrNotFound)
	}
	c := it.Content.Clone()
	// An identity's or an SSH key's field comes back into its member,
	// even when the item has none now (every field of it was emptied).
	if v.Content.Identity != nil && c.Identity == nil {
		c.Identity = &Identity{}
	}
	if v.Content.SSHKey != nil && c.SSHKey == nil {
		c.SSHKey = &SSHKey{}
	}
	// A custom field comes back with its kind.
	restored := false
	for _, f := range v.Content.Fields {
		if f.Name == field {
			c.SetFieldValue(field, "", false)
			c.Fields = append(c.Fields, f)
			restored = true
		}
	}
	if !restored {
		if err := c.SetFieldValue(field, old, had); err != nil {
			return nil, err
		}
	}
	return s.updateItem(ctx, it, c, &RevisionChange{Op: ChangeRestoreField, Field: field, Revision: rev})
}
