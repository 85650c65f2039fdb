#!/usr/bin/env bash
# Starts a throwaway Kubernetes API server for manual testing: etcd + kube-apiserver on free
# loopback ports in a temporary directory, with an admin token user (group system:masters).
# No controllers, scheduler or nodes: objects stay exactly as created. Ctrl-C stops both servers
# and removes the directory. (Tests use test/helpers/kube-env.ts, which sets up the same thing.)
#
#   scripts/test-env/start.sh          # then, in another shell, the printed `export KUBECONFIG=…`
#
# kube-apiserver: $KUBERATOR_APISERVER, else the one scripts/test-env/build-apiserver.sh caches.
set -euo pipefail

CACHE="${KUBERATOR_TEST_CACHE:-$HOME/.cache/kuberator-test}"
BIN="${KUBERATOR_APISERVER:-$CACHE/kube-apiserver-1.20.2}"
[ -x "$BIN" ] || { echo "no kube-apiserver at $BIN: run scripts/test-env/build-apiserver.sh" >&2; exit 1; }
for c in etcd openssl curl; do
  command -v "$c" >/dev/null || { echo "$c is not installed (scripts/test-env/build-apiserver.sh installs etcd and openssl)" >&2; exit 1; }
done

root=/dev/shm; [ -w "$root" ] || root="${TMPDIR:-/tmp}"
dir="$(mktemp -d "$root/kuberator-kube-XXXXXX")"
pids=()
cleanup() {
  trap '' INT TERM
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  [ ${#pids[@]} -eq 0 ] || wait "${pids[@]}" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'echo "stopping" >&2; exit 0' INT TERM

# Free loopback ports: ask the kernel for three at once.
read -r client_port peer_port secure_port < <(node -e '
  const net = require("node:net");
  const s = [0, 1, 2].map(() => net.createServer());
  Promise.all(s.map((x) => new Promise((r) => x.listen(0, "127.0.0.1", r)))).then(() => {
    console.log(s.map((x) => x.address().port).join(" "));
    s.forEach((x) => x.close());
  });')

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 -subj /CN=localhost \
  -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' -keyout "$dir/serving.key" -out "$dir/serving.crt" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/sa.key" 2>/dev/null
openssl pkey -in "$dir/sa.key" -pubout -out "$dir/sa.pub"
token="$(openssl rand -hex 16)"
echo "$token,kuberator-admin,kuberator-admin,\"system:masters\"" >"$dir/tokens.csv"
chmod 600 "$dir/tokens.csv"

etcd_url="http://127.0.0.1:$client_port"
peer_url="http://127.0.0.1:$peer_port"
etcd --name test --data-dir "$dir/etcd" --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
  --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" --initial-cluster "test=$peer_url" \
  --logger zap --log-level warn >"$dir/etcd.log" 2>&1 </dev/null &
pids+=($!)

server="https://127.0.0.1:$secure_port"
"$BIN" \
  --etcd-servers="$etcd_url" \
  --secure-port="$secure_port" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
  --tls-cert-file="$dir/serving.crt" --tls-private-key-file="$dir/serving.key" --cert-dir="$dir/certs" \
  --service-account-key-file="$dir/sa.pub" --service-account-signing-key-file="$dir/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc \
  --token-auth-file="$dir/tokens.csv" --authorization-mode=RBAC \
  --disable-admission-plugins=ServiceAccount \
  --service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none --profiling=false \
  >"$dir/apiserver.log" 2>&1 </dev/null &
pids+=($!)

cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kuberator-test
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 "$dir/serving.crt")
users:
- name: kuberator-admin
  user:
    token: $token
contexts:
- name: kuberator-test
  context:
    cluster: kuberator-test
    user: kuberator-admin
current-context: kuberator-test
EOF
chmod 600 "$dir/kubeconfig"

start=$SECONDS
until curl -sf --cacert "$dir/serving.crt" -H "Authorization: Bearer $token" "$server/readyz" >/dev/null 2>&1; do
  for p in "${pids[@]}"; do
    kill -0 "$p" 2>/dev/null || { echo "a server exited during start-up:" >&2; tail -n 30 "$dir/etcd.log" "$dir/apiserver.log" >&2; exit 1; }
  done
  if [ $((SECONDS - start)) -ge 60 ]; then
    echo "kube-apiserver was not ready after 60 s:" >&2; tail -n 30 "$dir/apiserver.log" >&2; exit 1
  fi
  sleep 0.2
done

echo "kube-apiserver $("$BIN" --version | awk '{print $2}') is ready at $server (logs in $dir). Ctrl-C stops it." >&2
echo "export KUBECONFIG=$dir/kubeconfig"
wait
