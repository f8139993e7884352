<?php
// The lab's PHP worker (`php worker.php`): a job every INTERVAL seconds on PostgreSQL, Monolog's
// JsonFormatter on stdout, as a queue worker or scheduler runs on Railway. Stops on SIGTERM after
// the job in hand.
require '/usr/share/php/Monolog/autoload.php';

use Monolog\Formatter\JsonFormatter;
use Monolog\Handler\StreamHandler;
use Monolog\Logger;

$handler = new StreamHandler('php://stdout', Logger::INFO);
$handler->setFormatter(new JsonFormatter());
$log = new Logger('worker', [$handler]);

pcntl_async_signals(true);
$running = true;
pcntl_signal(SIGTERM, function () use (&$running, $log) {
    $log->info('SIGTERM received, stopping after the current job');
    $running = false;
});

$url = parse_url(getenv('DATABASE_URL'));
$dsn = sprintf('pgsql:host=%s;port=%d;dbname=%s;connect_timeout=2', $url['host'], $url['port'], ltrim($url['path'], '/'));
$interval = (int) (getenv('INTERVAL') ?: 2);
$log->info('worker started', ['interval' => $interval]);

for ($n = 1; $running; $n++) {
    try {
        $pdo = new PDO($dsn, $url['user'], $url['pass'] ?? '', [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        $due = $pdo->query('SELECT count(*) FROM generate_series(1, 10)')->fetchColumn();
        $log->info('invoices synced', ['job' => $n, 'due' => (int) $due]);
    } catch (PDOException $e) {
        $log->error('invoice sync failed', ['job' => $n, 'exception' => $e]);
    }
    $pdo = null;
    sleep($interval);
}
$log->info('worker stopped');
