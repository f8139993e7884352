# The Ruby stack's Sidekiq worker (`sidekiq -r ./worker.rb`), on the lab's Redis, reading PostgreSQL
# through ActiveRecord. SyncInvoices runs on a schedule pushed by enqueue.rb; ChargeCard raises
# (retried by Sidekiq); ExportLedger runs for a long time (cut by a stop).
require 'sidekiq'
require_relative 'db'

Sidekiq.configure_server { |c| c.redis = { url: ENV.fetch('REDIS_URL') } }
Sidekiq.configure_client { |c| c.redis = { url: ENV.fetch('REDIS_URL') } }

class SyncInvoices
  include Sidekiq::Worker
  def perform(n)
    open = ActiveRecord::Base.connection_pool.with_connection { |c| c.select_value('select count(*) from pg_stat_activity') }
    logger.info "synced batch #{n}, #{open} sessions"
  end
end

class ChargeCard
  include Sidekiq::Worker
  sidekiq_options retry: 2
  def perform(id)
    raise IOError, "card gateway closed the connection for charge #{id}"
  end
end

class ExportLedger
  include Sidekiq::Worker
  def perform(seconds)
    ActiveRecord::Base.connection_pool.with_connection { |c| c.select_value("select count(*) from pg_sleep(#{Float(seconds)})") }
  end
end
