-- Demo products (the original system sold these two). Never overwrites a product that exists.
INSERT INTO products (id, name, stock) VALUES
  ('iphone',  'iPhone',  20),
  ('macbook', 'MacBook', 10),
  ('airpods', 'AirPods', 100)
ON CONFLICT (id) DO NOTHING;
