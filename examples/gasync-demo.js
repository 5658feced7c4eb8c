// gasync-demo.js: the libgasync demo service, smaller, in GJS.
// Run with: gjs -m examples/gasync-demo.js
//
// Owns org.gnome.GasyncDemo.Js on the session bus with the same interface
// as the C demo (Submit, RunningTasks, Quit, Ticks). JavaScript cannot run
// on libgasync's worker threads, so a job here is main-loop work counted
// by the GasyncStopper with a begin_task() token, and each part of the
// service is a main-loop runner of one GasyncGroupRunner, run with
// run_async() as a promise.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gasync from 'gi://Gasync?version=1';

Gio._promisify(Gasync.GroupRunner.prototype, 'run_async', 'run_finish');
Gio._promisify(Gasync.Stopper.prototype, 'stop_async', 'stop_finish');

const BUS_NAME = 'org.gnome.GasyncDemo.Js';
const OBJECT_PATH = '/org/gnome/GasyncDemo';
const XML = `
<node>
  <interface name='org.gnome.GasyncDemo'>
    <method name='Submit'>
      <arg direction='in' type='s' name='name'/>
      <arg direction='in' type='u' name='count'/>
      <arg direction='out' type='u' name='accepted'/>
    </method>
    <method name='RunningTasks'>
      <arg direction='out' type='a{su}' name='tasks'/>
    </method>
    <method name='Quit'/>
    <property name='Ticks' type='u' access='read'/>
  </interface>
</node>`;

const say = text => print(`gasync-demo.js: ${text}`);

const jobs = Gasync.Stopper.new();
jobs.connect('quiescing', () => say('jobs: quiescing, new jobs are refused'));
jobs.connect('stopped', () => say('jobs: stopped'));
jobs.add_closer(() => say('closer: closed the job cache'));

// A job: two seconds of main-loop work, counted until its token ends.
function submit(name, count) {
    let accepted = 0;
    for (let i = 0; i < count; i++) {
        let token;
        try {
            token = jobs.begin_task(name);
        } catch (e) {
            say(`job ${name} refused: ${e.message}`);
            continue;
        }
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 2000, () => {
            say(`job ${name} done`);
            token.end();
            return GLib.SOURCE_REMOVE;
        });
        accepted++;
    }
    return accepted;
}

let ticks = 0;
const group = Gasync.GroupRunner.new();

const service = {
    Submit(name, count) {
        return submit(name, count);
    },
    RunningTasks() {
        return jobs.dup_running_tasks();
    },
    Quit() {
        say('Quit() called over D-Bus');
        group.interrupt();
    },
    get Ticks() {
        return ticks;
    },
};

let ownerId = 0;
const bus = Gasync.Runner.new_for_main_loop('bus', runner => {
    const exported = Gio.DBusExportedObject.wrapJSObject(XML, service);
    ownerId = Gio.bus_own_name(Gio.BusType.SESSION, BUS_NAME,
        Gio.BusNameOwnerFlags.NONE,
        connection => exported.export(connection, OBJECT_PATH),
        (connection, name) => {
            say(`owns ${name} on the session bus`);
            runner.notify_ready();
        },
        (connection, name) => runner.complete(
            new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_CONNECTED,
                `lost the name ${name}`)));
}, runner => {
    // The stop function is a closure, called with the runner.
    say(`releasing ${BUS_NAME}`);
    Gio.bus_unown_name(ownerId);
    runner.complete(null);
});
bus.set_reports_ready(true);

let tickerId = 0;
const ticker = Gasync.Runner.new_for_main_loop('ticker', () => {
    tickerId = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 100, () => {
        ticks++;
        return GLib.SOURCE_CONTINUE;
    });
}, () => {
    GLib.source_remove(tickerId);
    say(`ticker stopped after ${ticks} ticks`);
    ticker.complete(null);
});

const jobsRunner = Gasync.Runner.new_for_main_loop('jobs', () => {}, () => {
    say(`jobs: stopping with ${jobs.get_n_tasks()} running`);
    jobs.stop_async(null).then(() => jobsRunner.complete(null),
        e => jobsRunner.complete(e));
});

for (const runner of [bus, ticker, jobsRunner])
    group.add(runner);
group.interrupt_on_unix_signals();

const loop = new GLib.MainLoop(null, false);
let clean = true;
say('running; stop with SIGTERM, SIGINT or Quit()');
group.run_async(null).then(results => {
    for (const result of results) {
        const error = result.get_error();
        say(`runner ${result.get_id()}: ${error ? error.message : 'finished cleanly'}`);
        clean &&= error === null;
    }
}, e => {
    say(`the group failed: ${e.message}`);
    clean = false;
}).finally(() => loop.quit());
loop.run();
say(clean ? 'clean shutdown' : 'shutdown with errors');
imports.system.exit(clean ? 0 : 1);
