# The Ruby stack's web service: a Rack app on puma (cluster mode, see puma.rb) reading PostgreSQL
# through ActiveRecord. Its own log lines are a Rails app's (Started / Completed); an exception it
# does not rescue reaches puma, which logs it. Faults: /report holds a pooled connection (pool
# exhaustion when more run at once than the pool has), /boom raises, /hang stops the worker process
# (a worker stuck in native code: it stops checking in with the master, which kills it at
# worker_timeout).
require 'securerandom'
require_relative 'db'

# Outside Rails nothing hands a thread's connection back after a request: with_connection does,
# as Rails' executor would.
app = lambda do |env|
  ActiveRecord::Base.connection_pool.with_connection { handle(env) }
end

def handle(env)
  req = Rack::Request.new(env)
  LOGGER.tagged(SecureRandom.uuid) do
    LOGGER.info "Started #{req.request_method} \"#{req.path}\" for #{req.ip} at #{Time.now}"
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    body = case req.path
           when '/health' then ActiveRecord::Base.connection.select_value('select 1').to_s
           when '/orders' then ActiveRecord::Base.connection.select_value('select count(*) from generate_series(1, 1000)').to_s
           when '/report' then ActiveRecord::Base.connection.select_value("select count(*) from pg_sleep(#{Float(ENV.fetch('REPORT_SECONDS', '3'))})").to_s
           when '/boom' then raise ArgumentError, 'invoice total is negative'
           when '/hang' then Process.kill('STOP', Process.pid) && 'resumed'
           else 'not found'
           end
    ms = ((Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) * 1000).round
    LOGGER.info "Completed 200 OK in #{ms}ms"
    [200, { 'content-type' => 'text/plain' }, [body]]
  end
end
run app
