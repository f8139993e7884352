#!/bin/sh
# The container's start command: php-fpm and nginx side by side, the stop signal the platform
# sends (SIGTERM, or SIGQUIT when the image sets STOPSIGNAL SIGQUIT) passed on to both, the
# container ending when both have.

# A container's stdout and stderr are pipes (containerd's fifos); the lab's capture hands sockets,
# which php-fpm and nginx cannot reopen as /proc/self/fd/2 and /dev/stderr: through fifos they can.
mkfifo "$RUN_DIR/stdout" "$RUN_DIR/stderr"
cat "$RUN_DIR/stdout" &
cat "$RUN_DIR/stderr" >&2 &
exec >"$RUN_DIR/stdout" 2>"$RUN_DIR/stderr"

php-fpm8.2 --nodaemonize --fpm-config "$APP_DIR/php-fpm.conf" &
fpm=$!
nginx -c "$RUN_DIR/nginx.conf" -e stderr &
ngx=$!
trap 'kill -TERM $fpm $ngx' TERM
trap 'kill -QUIT $fpm $ngx' QUIT
trap 'kill -INT $fpm $ngx' INT
# wait returns at each trapped signal: wait again until both have ended (not for the fifos' cats,
# which end with the script).
while kill -0 $fpm 2>/dev/null || kill -0 $ngx 2>/dev/null; do
  wait $fpm $ngx
done
