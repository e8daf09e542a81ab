#!/usr/bin/env bash
# Adds the host names of the compose stack to /etc/hosts (Linux, macOS), pointing at 127.0.0.1:
# api.localhost, traefik.localhost, grafana.localhost, portainer.localhost, minio.localhost, and
# API_HOST, GRAFANA_HOST, PORTAINER_HOST and MINIO_HOST from .env when they differ.
#
#   scripts/add_hosts.sh                   add (or update) them; asks for sudo when needed
#   scripts/add_hosts.sh --remove          remove them
#   scripts/add_hosts.sh --hosts-file F    work on F instead of /etc/hosts
#   scripts/add_hosts.sh NAME...           add these names instead
#
# Idempotent: the names live in one block between "# BEGIN personae" and "# END personae", which
# every run replaces; nothing else in the file changes. Most systems already resolve *.localhost
# to 127.0.0.1; this is for those that do not. scripts/add_hosts.ps1 does the same on Windows.
set -euo pipefail
cd "$(dirname "$0")/.."

hosts_file=/etc/hosts
remove=0
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --remove) remove=1 ;;
    --hosts-file)
      [ $# -ge 2 ] || { echo "scripts/add_hosts.sh: --hosts-file needs a file" >&2; exit 2; }
      hosts_file=$2
      shift
      ;;
    -h | --help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "scripts/add_hosts.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
    *) names+=("$1") ;;
  esac
  shift
done

if [ ${#names[@]} -eq 0 ]; then
  names=(api.localhost traefik.localhost grafana.localhost portainer.localhost minio.localhost)
  if [ -f .env ]; then
    for variable in API_HOST GRAFANA_HOST PORTAINER_HOST MINIO_HOST; do
      value=$(sed -n "s/^${variable}=//p" .env | tail -n 1)
      [ -n "$value" ] && names+=("$value")
    done
  fi
fi
# One line per name, each name once, only valid host names.
unique=()
for name in "${names[@]}"; do
  if ! [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
    echo "scripts/add_hosts.sh: '$name' is not a host name" >&2
    exit 2
  fi
  case " ${unique[*]+${unique[*]}} " in *" $name "*) ;; *) unique+=("$name") ;; esac
done

begin='# BEGIN personae (scripts/add_hosts.sh)'
end='# END personae'

new_contents() {  # the hosts file without our block, then the block unless removing
  if [ -f "$hosts_file" ]; then
    awk -v begin="$begin" -v end="$end" '
      $0 == begin { skipping = 1; next }
      skipping && $0 == end { skipping = 0; next }
      !skipping { print }
    ' "$hosts_file"
  fi
  if [ "$remove" -eq 0 ]; then
    echo "$begin"
    local name
    for name in "${unique[@]}"; do
      printf '127.0.0.1\t%s\n' "$name"
    done
    echo "$end"
  fi
}

updated=$(new_contents)
current=''
[ -f "$hosts_file" ] && current=$(cat "$hosts_file")
if [ "$updated" = "$current" ]; then
  echo "scripts/add_hosts.sh: $hosts_file is already up to date"
  exit 0
fi

write() {  # replaces the file's contents in place (keeps its owner, mode and inode)
  if [ -w "$hosts_file" ] || { [ ! -e "$hosts_file" ] && [ -w "$(dirname "$hosts_file")" ]; }; then
    printf '%s\n' "$updated" >"$hosts_file"
  elif command -v sudo >/dev/null 2>&1; then
    printf '%s\n' "$updated" | sudo tee "$hosts_file" >/dev/null
  else
    echo "scripts/add_hosts.sh: cannot write $hosts_file; run as root" >&2
    exit 1
  fi
}
write
if [ "$remove" -eq 1 ]; then
  echo "scripts/add_hosts.sh: removed the Personae names from $hosts_file"
else
  echo "scripts/add_hosts.sh: $hosts_file now maps ${unique[*]} to 127.0.0.1"
fi
