# Pushes jobs to the Sidekiq worker from outside (as a web app or a scheduler would):
#   ruby enqueue.rb CLASS ARG...
require 'sidekiq'
Sidekiq.configure_client { |c| c.redis = { url: ENV.fetch('REDIS_URL') } }
Sidekiq::Client.push('class' => ARGV[0], 'args' => ARGV[1..].map { |a| a =~ /\A\d+\z/ ? Integer(a) : a })
