# ActiveRecord against the lab's PostgreSQL, as a Rails app's database.yml sets it up: a pool of
# DB_POOL connections, a checkout waiting at most DB_CHECKOUT_TIMEOUT seconds; and the logger a
# Rails 6.1 production app writes with RAILS_LOG_TO_STDOUT (Logger::Formatter, tagged, on stdout).
require 'active_record'
require 'active_support/tagged_logging'

base = ActiveSupport::Logger.new($stdout)
base.formatter = ::Logger::Formatter.new
base.level = :info
LOGGER = ActiveSupport::TaggedLogging.new(base)
$stdout.sync = true

ActiveRecord::Base.logger = LOGGER
DB_CONFIG = {
  url: ENV.fetch('DATABASE_URL'),
  pool: Integer(ENV.fetch('DB_POOL', '5')),
  checkout_timeout: Float(ENV.fetch('DB_CHECKOUT_TIMEOUT', '5')),
}.freeze
ActiveRecord::Base.establish_connection(DB_CONFIG)
