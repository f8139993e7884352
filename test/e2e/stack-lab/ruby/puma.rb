# puma in cluster mode, as a Rails app's config/puma.rb sets it for production.
workers Integer(ENV.fetch('WEB_CONCURRENCY', '2'))
threads_count = Integer(ENV.fetch('RAILS_MAX_THREADS', '5'))
threads threads_count, threads_count
port ENV.fetch('PORT', '3000')
environment 'production'
worker_timeout Integer(ENV.fetch('WORKER_TIMEOUT', '60'))
on_worker_boot { ActiveRecord::Base.establish_connection(DB_CONFIG) }
