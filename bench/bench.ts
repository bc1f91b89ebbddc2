process.stdout.write('bench: not yet\n');
