#!/usr/bin/env bash
# Makes the macOS disk image: "Backorder Desktop.app" (built by build.spec) in a .dmg beside a
# link to /Applications, so installing is one drag. Signs and notarises when the secrets are set:
#   MACOS_CERTIFICATE (base64 .p12 of a "Developer ID Application" certificate),
#   MACOS_CERTIFICATE_PASSWORD, MACOS_SIGNING_IDENTITY (e.g. "Developer ID Application: Name (TEAMID)"),
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD (an app-specific password) for notarisation.
# Without them each step says it is skipped and the image is unsigned (fine for testing; users
# then allow it once in System Settings > Privacy & Security > Open Anyway).
# REQUIRE_NOTARISATION=true (the release workflow sets it on a tag): a signed image that is not
# notarised fails instead of being shipped, since macOS blocks it just like an unsigned one while
# its signature suggests otherwise.
# Usage: bash packaging/macos/make_dmg.sh   (after python packaging/build.py, on macOS)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=packaging/macos/hdiutil_retry.sh
source packaging/macos/hdiutil_retry.sh

APP_NAME="Backorder Desktop"
EXE_NAME="backorder-desktop"
ICON_FILE="packaging/icons/backorder-desktop.icns"
ENTITLEMENTS="packaging/macos/entitlements.plist"
APP="dist/${APP_NAME}.app"

if [[ "$(uname)" != Darwin ]]; then
  echo "make_dmg.sh runs on macOS only (it needs hdiutil and codesign)." >&2
  exit 1
fi
if [[ ! -d "$APP" ]]; then
  echo "No $APP: run python packaging/build.py first." >&2
  exit 1
fi
# The version is read back from the bundle: build.spec writes backorder_desktop.__version__
# (the single source) into Info.plist.
VERSION=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$APP/Contents/Info.plist")
case "$(uname -m)" in arm64) ARCH=arm64 ;; *) ARCH=x86_64 ;; esac
DMG="dist/${EXE_NAME}-${VERSION}-macos-${ARCH}.dmg"

# --- code signing (hardened runtime, needed for notarisation) --------------------------------
sign() {
  codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
    --sign "$MACOS_SIGNING_IDENTITY" "$@"
}
signed=false
if [[ -n "${MACOS_CERTIFICATE:-}" && -n "${MACOS_CERTIFICATE_PASSWORD:-}" && -n "${MACOS_SIGNING_IDENTITY:-}" ]]; then
  # A throw-away keychain holds the certificate for this run only.
  keychain="${RUNNER_TEMP:-$(mktemp -d)}/backorder-signing.keychain-db"
  keychain_password=$(uuidgen)
  certificate=$(mktemp)
  trap 'rm -f "$certificate"; security delete-keychain "$keychain" 2>/dev/null || true' EXIT
  printf '%s' "$MACOS_CERTIFICATE" | base64 --decode > "$certificate"
  security create-keychain -p "$keychain_password" "$keychain"
  security set-keychain-settings -lut 21600 "$keychain"
  security unlock-keychain -p "$keychain_password" "$keychain"
  security import "$certificate" -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" -T /usr/bin/codesign
  rm -f "$certificate"
  security set-key-partition-list -S apple-tool:,apple: -s -k "$keychain_password" "$keychain" >/dev/null
  # shellcheck disable=SC2046  # the existing keychains, one word each
  security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')

  echo "Signing $APP"
  # Inside out: loose libraries and executables, then each framework, then the bundle.
  while IFS= read -r -d '' file; do
    if file -b "$file" | grep -q "Mach-O"; then sign "$file"; fi
  done < <(find "$APP/Contents" -type f ! -path "*.framework/*" -print0)
  while IFS= read -r -d '' framework; do
    sign "$framework"
  done < <(find "$APP/Contents" -type d -name "*.framework" -prune -print0)
  sign "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
  # A signature that stops the app from starting must fail here, not on a merchant's Mac.
  "$APP/Contents/MacOS/$EXE_NAME" --version
  signed=true
else
  echo "Code signing skipped: MACOS_CERTIFICATE, MACOS_CERTIFICATE_PASSWORD and MACOS_SIGNING_IDENTITY are not all set."
fi

# --- the disk image: the app, a link to /Applications, the app's icon on the volume ------------
volume="$APP_NAME $VERSION"
staging=$(mktemp -d)
scratch=$(mktemp -d)
cp -R "$APP" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil_retry create -volname "$volume" -srcfolder "$staging" -fs HFS+ -format UDRW -ov \
  "$scratch/rw.dmg" >/dev/null
mount_point="$scratch/mnt"
mkdir "$mount_point"
hdiutil_retry attach "$scratch/rw.dmg" -readwrite -noverify -noautoopen -nobrowse \
  -mountpoint "$mount_point" >/dev/null
cp "$ICON_FILE" "$mount_point/.VolumeIcon.icns"
if command -v SetFile >/dev/null; then
  SetFile -a C "$mount_point"  # "has custom icon": Finder shows .VolumeIcon.icns
else
  echo "Volume icon skipped: SetFile (Xcode command line tools) is not installed."
fi
hdiutil_retry detach "$mount_point" >/dev/null
rm -f "$DMG"
hdiutil_retry convert "$scratch/rw.dmg" -format UDZO -imagekey zlib-level=9 -o "$DMG" >/dev/null
rm -rf "$staging" "$scratch"

if $signed; then
  codesign --force --timestamp --sign "$MACOS_SIGNING_IDENTITY" "$DMG"
fi

# --- notarisation ------------------------------------------------------------------------------
if $signed && [[ -n "${APPLE_ID:-}" && -n "${APPLE_TEAM_ID:-}" && -n "${APPLE_APP_PASSWORD:-}" ]]; then
  echo "Notarising $DMG"
  xcrun notarytool submit "$DMG" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait
  xcrun stapler staple "$DMG"
  xcrun stapler validate "$DMG"
  spctl --assess --type open --context context:primary-signature --verbose "$DMG"
elif $signed; then
  if [[ "${REQUIRE_NOTARISATION:-false}" == true ]]; then
    echo "::error::$DMG is signed but APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD are not all set: a signed, unnotarised image is not shipped." >&2
    rm -f "$DMG"
    exit 1
  fi
  echo "Notarisation skipped: APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD are not all set."
else
  echo "Notarisation skipped: the app is not signed."
fi

echo "Disk image: $DMG ($(du -h "$DMG" | cut -f1))"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "dmg=$DMG" >> "$GITHUB_OUTPUT"
fi
