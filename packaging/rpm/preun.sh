# weft %preun: on erase ($1 = 0, not on upgrade), stop the service before its binary goes away.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
  systemctl stop weft.service >/dev/null 2>&1 || :
fi
exit 0
