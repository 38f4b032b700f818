// webpack 5, no loader and no plugin: the package's `new URL('rtp_bg.wasm', import.meta.url)` is
// an asset module, so webpack copies the wasm into build/ with a content hash and points the
// URL at it (publicPath 'auto': relative to the bundle).
const path = require('node:path');

module.exports = {
  mode: 'production',
  entry: './src/index.js',
  output: {
    path: path.resolve(__dirname, 'build'),
    filename: 'app.js',
    assetModuleFilename: '[name].[contenthash][ext]',
    publicPath: 'auto',
    clean: true,
  },
  devtool: false,
  performance: { hints: false },
};
