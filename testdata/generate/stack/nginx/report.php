<?php
// Served by php-fpm behind nginx's `location /fcgi/` (testdata/stack/nginx/): writes one
// three-line message with error_log(), which php-fpm sends to nginx on FastCGI stderr
// (no error_log file is configured), and nginx writes into its error log as
// `FastCGI sent in stderr: "PHP message: ..."`.
$rid = $_SERVER['HTTP_X_REQUEST_ID'] ?? '-';
error_log("report worker: slow query request_id=$rid path={$_SERVER['REQUEST_URI']}\n"
    . "  query: SELECT id, total FROM orders WHERE customer_id = 42\n"
    . "  took 1234 ms (threshold 500 ms)");
header('Content-Type: text/plain');
echo "report ok\n";
