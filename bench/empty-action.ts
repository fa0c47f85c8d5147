// The baseline of the cold-start benchmark: an action that only loads the
// two toolkit packages every action of this kind loads, then stops.
import * as core from '@actions/core'
import * as github from '@actions/github'

core.info(`ready ${github.context.eventName}`)
