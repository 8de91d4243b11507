# weft %postun: forget the unit. The weft user stays, as Fedora's packaging guidelines ask (files it
# owned may remain), and so does /var/lib/weft.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
