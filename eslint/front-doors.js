// A local eslint rule: imports in src go through front doors and down the layers only.
//
// Layers, top to bottom: commands → cli → testing → plugins → apps → kernel. A module may import
// its own layer or a lower one. Front doors: every folder of src/kernel (chain, tx, net, ...),
// every plugin and every app has an index.ts, and a module outside that folder reaches it only
// through it; from outside src/kernel the kernel is reached only through src/kernel/index.ts.
// Kernel subfolders may use the kernel's root files directly (they are the kernel's own
// contracts). A plugin never imports another plugin, nor an app.
import path from 'node:path';

const LAYERS = ['kernel', 'apps', 'plugins', 'testing', 'cli', 'commands'];

function partsOf(file) {
  const rel = path.relative(process.cwd(), file).split(path.sep);
  return rel[0] === 'src' ? rel.slice(1) : undefined;
}

/** The folder whose front door guards `parts` (a src-relative path), or undefined. */
function unitOf(parts) {
  const [top, sub] = parts;
  if (top === 'kernel') return parts.length > 2 ? `kernel/${sub}` : 'kernel';
  if ((top === 'plugins' || top === 'apps') && parts.length > 2) return `${top}/${sub}`;
  return undefined;
}

function check(importer, target) {
  const layerOf = (p) => LAYERS.indexOf(p[0]);
  const li = layerOf(importer);
  const lt = layerOf(target);
  if (li >= 0 && lt > li) return `${importer[0]} must not import ${target[0]} (layers go one way: ${LAYERS.join(' ← ')})`;
  const iu = unitOf(importer);
  const tu = unitOf(target);
  if (!tu || iu === tu) return undefined;
  // src/plugins/registry.ts and src/apps/registry.ts list them all; a plugin or app itself does not.
  if (iu && importer[0] === 'plugins' && (target[0] === 'plugins' || target[0] === 'apps'))
    return `a plugin must not import ${target[0] === 'apps' ? 'an app' : 'another plugin'} (${tu})`;
  const door = tu === 'kernel' ? 'kernel/index.ts' : `${tu}/index.ts`;
  const targetPath = target.join('/');
  if (importer[0] === 'kernel' && target[0] === 'kernel') {
    if (tu === 'kernel') return undefined; // the kernel's root files are shared by its rooms
    return targetPath === door ? undefined : `import ${tu} through its front door (${door})`;
  }
  const outerDoor = target[0] === 'kernel' ? 'kernel/index.ts' : door;
  return targetPath === outerDoor
    ? undefined
    : `import ${target[0] === 'kernel' ? 'the kernel' : tu} through its front door (${outerDoor})`;
}

export default {
  rules: {
    'front-doors': {
      meta: { type: 'problem', schema: [], docs: { description: 'imports go through front doors and down the layers' } },
      create(context) {
        const file = context.filename;
        const importer = partsOf(file);
        if (!importer) return {};
        const visit = (node) => {
          const spec = node.source?.value;
          if (typeof spec !== 'string' || !spec.startsWith('.')) return;
          const resolved = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
          const target = partsOf(resolved);
          if (!target) return;
          const problem = check(importer, target);
          if (problem) context.report({ node: node.source, message: problem });
        };
        return { ImportDeclaration: visit, ExportNamedDeclaration: visit, ExportAllDeclaration: visit, ImportExpression: visit };
      },
    },
  },
};
