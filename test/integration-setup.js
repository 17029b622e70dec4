// Integration tests read DATABASE_URL, REDIS_URL and NATS_URL; the defaults are the local services.
module.exports = async () => {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/polymux_test';
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
};
