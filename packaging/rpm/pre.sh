# weft %pre: the dedicated system user exists before the files are laid down, so the config can be
# packaged root:weft 0640 (%attr in cpack.cmake). Its home is the state directory, which systemd
# creates on first start (StateDirectory=weft).
getent group weft >/dev/null || groupadd -r weft
getent passwd weft >/dev/null || \
  useradd -r -g weft -d /var/lib/weft -M -s /sbin/nologin -c "weft change data capture" weft
exit 0
