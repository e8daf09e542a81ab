#!/bin/sh
# One-shot MinIO set-up (the compose `minio-init` service), safe to run again:
#   - the media bucket (MINIO_BUCKET), private;
#   - Personae's own MinIO user (secrets s3_access_key / s3_secret_key) with a policy that allows
#     exactly what docs/storage.md lists: Put/Get/DeleteObject and AbortMultipartUpload on the
#     bucket's objects, ListBucket on the bucket. Personae never uses the root credentials.
# Credentials travel in MC_HOST_local (the environment of this process), not on command lines.
set -eu

bucket=${MINIO_BUCKET:?MINIO_BUCKET is not set}
root_user=$(cat /run/secrets/minio_root_user)
root_password=$(cat /run/secrets/minio_root_password)
access_key=$(cat /run/secrets/s3_access_key)
secret_key=$(cat /run/secrets/s3_secret_key)
MC_HOST_local="http://${root_user}:${root_password}@minio:9000"
export MC_HOST_local

mc mb --ignore-existing "local/${bucket}"
mc anonymous set none "local/${bucket}"

policy=$(mktemp)
cat >"$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
      "Resource": ["arn:aws:s3:::${bucket}/*"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:ListBucket"],
      "Resource": ["arn:aws:s3:::${bucket}"]
    }
  ]
}
JSON
mc admin policy create local personae-media "$policy"
rm -f "$policy"

# `user add` sets the secret again when the user exists (a rotated secret file takes effect).
mc admin user add local "$access_key" "$secret_key"
if ! mc admin user info local "$access_key" | grep -q 'personae-media'; then
  mc admin policy attach local personae-media --user "$access_key"
fi
echo "minio-init: bucket ${bucket} and its user are ready"
