package blob

import (
	"context"

	"github.com/minio/minio-go/v7"
)

// ListS3 returns the names of the objects under s's prefix (the prefix included).
func ListS3(ctx context.Context, s *S3) ([]string, error) {
	var names []string
	for o := range s.client.Client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if o.Err != nil {
			return names, o.Err
		}
		names = append(names, o.Key)
	}
	return names, nil
}

// RemoveS3 removes every object under s's prefix.
func RemoveS3(ctx context.Context, s *S3) error {
	names, err := ListS3(ctx, s)
	for _, name := range names {
		if rerr := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// S3Prefix returns the prefix of s's objects.
func S3Prefix(s *S3) string { return s.prefix }

// CutS3Stream closes the response an S3 object keeps for its next sequential read, as a server
// timing out a slow reader would, and reports whether there was one.
func CutS3Stream(o Object) bool {
	so := o.(*s3Object)
	so.mu.Lock()
	defer so.mu.Unlock()
	if so.stream == nil {
		return false
	}
	so.stream.body.Close()
	return true
}
