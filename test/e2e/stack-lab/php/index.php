<?php
// The lab's PHP web app, a front controller behind nginx and php-fpm, as a plain PHP (or Laravel)
// app runs on Railway: Monolog's LineFormatter on stderr (php-fpm's catch_workers_output carries it
// to the container's stderr), PDO on PostgreSQL, errors left to PHP (uncaught: PHP's own log line,
// which php-fpm hands to nginx as FastCGI stderr).
require '/usr/share/php/Monolog/autoload.php';

use Monolog\Formatter\LineFormatter;
use Monolog\Handler\StreamHandler;
use Monolog\Logger;

$handler = new StreamHandler('php://stderr', Logger::DEBUG);
$handler->setFormatter(new LineFormatter());
$log = new Logger('app', [$handler]);

function db(): PDO
{
    $url = parse_url(getenv('DATABASE_URL'));
    $dsn = sprintf('pgsql:host=%s;port=%d;dbname=%s;connect_timeout=2', $url['host'], $url['port'], ltrim($url['path'], '/'));
    return new PDO($dsn, $url['user'], $url['pass'] ?? '', [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
}

function invoiceTotal(array $lines): int
{
    $total = array_sum($lines);
    if ($total < 0) {
        throw new DomainException('invoice total is negative');
    }
    return $total;
}

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$seconds = (float) ($_GET['s'] ?? 0);
header('Content-Type: application/json');

switch ($path) {
    case '/health':
        echo '{"ok":true}';
        break;
    case '/orders':
        try {
            $rows = db()->query('SELECT n AS id, n * 3 AS total FROM generate_series(1, 5) AS n')->fetchAll(PDO::FETCH_ASSOC);
            $log->debug('orders listed', ['count' => count($rows)]);
            echo json_encode($rows);
        } catch (PDOException $e) {
            $log->error('orders query failed', ['exception' => $e]);
            http_response_code(500);
            echo '{"error":"database"}';
        }
        break;
    case '/report':
        // A slow report: holds its php-fpm child (and a connection) for `s` seconds.
        $log->info('report started', ['seconds' => $seconds]);
        db()->query('SELECT pg_sleep(' . $seconds . ')');
        $log->info('report done');
        echo '{"ok":true}';
        break;
    case '/export':
        // Plain PHP work that takes `s` seconds (no database): past request_terminate_timeout it is killed.
        $log->info('export started', ['seconds' => $seconds]);
        usleep((int) ($seconds * 1e6));
        echo '{"ok":true}';
        break;
    case '/alloc':
        $chunks = [];
        while (true) {
            $chunks[] = str_repeat('x', 1 << 20);
        }
    case '/legacy':
        // Old code that still works: PHP logs a warning on every call (an unset query parameter).
        $page = (int) $_GET['page'];
        echo json_encode(['page' => $page]);
        break;
    case '/checkout':
        echo json_encode(['total' => invoiceTotal([120, -300])]);
        break;
    default:
        http_response_code(404);
        echo '{"error":"not found"}';
}
