#!/usr/bin/env bash
# Installs code-server 4.100.3 (the last release that runs on Node 20) from
# the npm registry into a cache folder, without any download outside npm:
# its own postinstall fetches prebuilt binaries from the internet, so we
# install with --ignore-scripts, rebuild the native modules from source and
# put Debian's ripgrep where @vscode/ripgrep expects its binary.
#
#   scripts/install-code-server.sh [DEST]   (default ~/.cache/perfi/code-server)
#
# Prints the path of the code-server launcher on success. Idempotent: a
# complete install (marked by .perfi-installed) is left as it is.
set -euo pipefail

VERSION=4.100.3
DEST=${1:-${PERFI_CODE_SERVER_DIR:-$HOME/.cache/perfi/code-server}}
MARK="$DEST/.perfi-installed"

if [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$VERSION" ]; then
  echo "$DEST/out/node/entry.js"
  exit 0
fi

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
need_apt=()
command -v rg >/dev/null || need_apt+=(ripgrep)
command -v make >/dev/null || need_apt+=(make)
command -v g++ >/dev/null || need_apt+=(g++)
command -v python3 >/dev/null || need_apt+=(python3)
[ -f /usr/include/gssapi/gssapi.h ] || [ -f /usr/include/krb5.h ] || need_apt+=(libkrb5-dev)
pkg-config --exists libsecret-1 2>/dev/null || true
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "perfi: installing ${need_apt[*]} (apt-get)" >&2
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" >&2
fi

# node-gyp would download Node's headers from the internet; use the ones
# installed with node (Debian's and NodeSource's packages have them).
node_prefix=$(node -p 'require("path").resolve(process.execPath, "../..")')
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi

export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "perfi: fetching code-server@$VERSION from npm" >&2
# npm pack lists every file of the package: keep that out of the output.
(cd "$tmp" && npm pack "code-server@$VERSION" >/dev/null 2>pack.log) || { cat "$tmp/pack.log" >&2; exit 1; }
rm -rf "$DEST.partial"
mkdir -p "$DEST.partial"
tar -xzf "$tmp/code-server-$VERSION.tgz" -C "$DEST.partial" --strip-components=1

cd "$DEST.partial"
echo "perfi: npm install (code-server)" >&2
npm install --omit=dev --ignore-scripts --no-package-lock >&2
echo "perfi: npm install (lib/vscode)" >&2
(cd lib/vscode && npm install --omit=dev --ignore-scripts --no-package-lock >&2)

# Native modules, built from source against this Node.
for m in @vscode/spdlog node-pty @parcel/watcher kerberos native-watchdog @vscode/deviceid; do
  for where in lib/vscode .; do
    if [ -d "$where/node_modules/$m" ]; then
      echo "perfi: npm rebuild $m ($where)" >&2
      (cd "$where" && npm rebuild "$m" >&2)
    fi
  done
done

# argon2 (password hashing, loaded at start-up even with --auth none) uses
# node-pre-gyp, which would try a download first.
echo "perfi: npm rebuild argon2" >&2
npm_config_build_from_source=true npm rebuild argon2 >&2

rg_bin=$(command -v rg)
for where in lib/vscode .; do
  if [ -d "$where/node_modules/@vscode/ripgrep" ]; then
    mkdir -p "$where/node_modules/@vscode/ripgrep/bin"
    cp "$rg_bin" "$where/node_modules/@vscode/ripgrep/bin/rg"
  fi
done

echo "$VERSION" > .perfi-installed
cd /
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
echo "$DEST/out/node/entry.js"
