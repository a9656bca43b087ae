/** Whether a process with this id still runs (EPERM: it does, as another user's), for cleaning up files a dead one left. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
