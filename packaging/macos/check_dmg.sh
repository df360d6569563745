#!/usr/bin/env bash
# Checks a built disk image as a merchant gets it: it mounts, holds the app and the Applications
# link, and the app inside starts (--version). Usage: bash packaging/macos/check_dmg.sh [DMG]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=packaging/macos/hdiutil_retry.sh
source packaging/macos/hdiutil_retry.sh

APP_NAME="Backorder Desktop"
EXE_NAME="backorder-desktop"
dmg="${1:-$(ls dist/*.dmg)}"
mount_point=$(mktemp -d)
hdiutil_retry attach "$dmg" -nobrowse -readonly -noautoopen -mountpoint "$mount_point" >/dev/null
trap 'hdiutil_retry detach "$mount_point" >/dev/null || true' EXIT
test -d "$mount_point/$APP_NAME.app"
test -L "$mount_point/Applications"
"$mount_point/$APP_NAME.app/Contents/MacOS/$EXE_NAME" --version
minimum=$(/usr/libexec/PlistBuddy -c "Print :LSMinimumSystemVersion" "$mount_point/$APP_NAME.app/Contents/Info.plist")
echo "disk image checked: $dmg (the app needs macOS $minimum or later)"
