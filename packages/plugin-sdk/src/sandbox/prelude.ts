/**
 * Guest-side glue, evaluated in every new context before the bundle. It evaluates to
 * `install(hostCall, complete, grantsJson, maxOutputChars)`, which defines `atrium` (and `console`
 * when `log` is granted) and returns `run(kind, name, inputJson, contextJson)`.
 *
 * `run` reports `status:payload`: as its return value when the handler returned a plain value,
 * else later through `complete(report)` (and returns undefined).
 *
 * Everything it relies on (JSON, Reflect.apply, Promise.prototype.then…) is captured before the
 * bundle runs, so a bundle that replaces globals only changes its own behaviour. Values cross as
 * JSON text both ways; the status is `ok`, `not_found`, `invalid_bundle`, `invalid_output` or
 * `plugin_error` (payload `{"name","message"}`).
 * Host replies are `1<json>` (fulfilled) or `0<message>` (rejected), so a host failure becomes a
 * plain guest `Error` with the host's message and no host stack.
 */
export const PRELUDE = `(function install(hostCall, complete, grantsJson, maxOutputChars) {
  'use strict';
  const { parse, stringify } = JSON;
  const { freeze, hasOwn, defineProperty } = Object;
  const apply = Reflect.apply;
  const toText = String;
  const StringSlice = String.prototype.slice;
  const ArrayJoin = Array.prototype.join;
  const ArrayMap = Array.prototype.map;
  const resolve = Promise.resolve.bind(Promise);
  const then = Promise.prototype.then;
  const GuestError = Error;
  const LOG_MESSAGE_CHARS = 8192;

  function describeError(error) {
    try {
      if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
        const name = error.name;
        const message = error.message;
        return { name: typeof name === 'string' ? name : 'Error', message: message === undefined ? toText(error) : toText(message) };
      }
      return { name: 'Error', message: toText(error) };
    } catch {
      return { name: 'Error', message: 'the plugin threw a value that cannot be read' };
    }
  }

  function strictJson(key, value) {
    const type = typeof value;
    if (type === 'function' || type === 'symbol') throw new TypeError('a ' + type + ' is not JSON');
    return value;
  }

  function printable(value) {
    if (typeof value === 'string') return value;
    try {
      const text = stringify(value);
      if (typeof text === 'string') return text;
    } catch {}
    try {
      return toText(value);
    } catch {
      return '[unprintable]';
    }
  }

  function remote(name) {
    return async function hostFunction(...args) {
      const reply = await hostCall(name, stringify(args));
      if (reply[0] === '1') return parse(apply(StringSlice, reply, [1]));
      throw new GuestError(apply(StringSlice, reply, [1]));
    };
  }

  function fireAndForget(name) {
    return function hostFunction(...args) {
      hostCall(name, stringify(args));
    };
  }

  const grants = parse(grantsJson);
  const atrium = {};
  for (const name of grants) {
    const path = name.split('.');
    let target = atrium;
    for (let i = 0; i < path.length - 1; i++) {
      if (!hasOwn(target, path[i])) target[path[i]] = {};
      target = target[path[i]];
    }
    target[path[path.length - 1]] = name === 'log' ? fireAndForget(name) : remote(name);
  }
  (function deepFreeze(object) {
    for (const value of Object.values(object)) if (typeof value === 'object') deepFreeze(value);
    freeze(object);
  })(atrium);
  defineProperty(globalThis, 'atrium', { value: atrium, enumerable: false, writable: false, configurable: false });

  if (grants.includes('log')) {
    const level = (name) =>
      function (...args) {
        let message = apply(ArrayJoin, apply(ArrayMap, args, [printable]), [' ']);
        if (message.length > LOG_MESSAGE_CHARS) message = apply(StringSlice, message, [0, LOG_MESSAGE_CHARS]);
        hostCall('log', stringify([name, message]));
      };
    const console = freeze({ log: level('info'), info: level('info'), debug: level('debug'), warn: level('warn'), error: level('error') });
    defineProperty(globalThis, 'console', { value: console, enumerable: false, writable: true, configurable: true });
  }

  let plugin;
  const report = (status, payload) => status + ':' + payload;
  const thrown = (error) => report('plugin_error', stringify(describeError(error)));

  function succeed(kind, value) {
    if (kind === 'hook') return report('ok', 'null');
    let text;
    try {
      text = value === undefined ? 'null' : stringify(value, strictJson);
    } catch (error) {
      return report('invalid_output', describeError(error).message);
    }
    if (typeof text !== 'string') return report('invalid_output', 'the result is not a JSON value');
    if (text.length > maxOutputChars) return report('invalid_output', 'the result is larger than ' + maxOutputChars + ' bytes');
    return report('ok', text);
  }

  return function run(kind, name, inputJson, contextJson) {
    if (kind === 'init') {
      const candidate = globalThis.__atrium_plugin;
      if (candidate === null || typeof candidate !== 'object') return report('invalid_bundle', 'the bundle did not set globalThis.__atrium_plugin');
      plugin = candidate;
      return report('ok', 'null');
    }
    const table = kind === 'hook' ? plugin.hooks : plugin.capabilities;
    const handler = table !== null && typeof table === 'object' && hasOwn(table, name) ? table[name] : undefined;
    if (typeof handler !== 'function') {
      return report('not_found', 'the plugin has no ' + (kind === 'hook' ? 'hook for ' : 'capability ') + name);
    }
    let result;
    let thenable;
    try {
      result = apply(handler, table, [parse(inputJson), contextJson === '' ? undefined : parse(contextJson)]);
      thenable = result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function';
    } catch (error) {
      return thrown(error);
    }
    // A plain value is reported as run's return value; a thenable later, through complete().
    if (!thenable) return succeed(kind, result);
    apply(then, resolve(result), [(value) => complete(succeed(kind, value)), (error) => complete(thrown(error))]);
  };
})`;
