# weft %post: neither enabled nor started (the reference config needs editing first); make a
# running systemd see the new or changed unit.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
