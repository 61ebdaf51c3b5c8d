# The seed article's command lines, verbatim; sourced (`. seed-lines.sh`) with the working
# directory set to where the outputs go. Used by test/seed/seed-in-netns.sh and
# test/container/seed-in-pod.sh: one copy of the lines, so the two tests cannot drift apart.
# Only ever sourced inside a network namespace whose sole interface is `lo`.
# --- the seed's command lines, verbatim ---
TOKEN=`curl -X PUT "http://169.254.169.254/latest/api/token" \
  -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"` \
&& curl -H "X-aws-ec2-metadata-token: $TOKEN" \
    -v http://169.254.169.254/latest/meta-data/instance-id/ >instance-id.out 2>instance-id.err

TOKEN=`curl -X PUT "http://169.254.169.254/latest/api/token" \
  -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"` \
&& curl -H "X-aws-ec2-metadata-token: $TOKEN" \
  -v http://169.254.169.254/latest/meta-data/ >listing.out 2>listing.err

curl 169.254.169.254/latest/meta-data/instance-id/ >v1.out 2>v1.err
# --- end of the seed's lines ---
